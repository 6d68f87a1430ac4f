"""Loss landscapes of real networks (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets").

- ``registry``: what the landscape tools know (architectures, datasets with their objectives, checkpoint
  formats); it imports none of the engines that provide them;
- ``digits``: the built-in provider, an MLP on scikit-learn's 8×8 digits (other providers:
  :mod:`engines.latent.landscape`, :mod:`engines.diffusion.landscape`; each has ``register(registry)``,
  and :mod:`tasks.landscape` composes them);
- ``formats``: recognising a file by the format it declares and opening it as a network;
- ``training`` and ``runs``: training runs recorded as parameter snapshots, and their folders on disk;
- ``planes``: filter-normalised directions, batched loss planes and paths projected onto them (a plain MLP
  evaluated layer by layer without vmap: ``mlp_plane``; a leading linear layer shared by all grid points:
  ``first_layer``);
- ``shared_plane``: one plane for many runs (PCA of all snapshots, start and two end points, random);
- ``smoothness``: the loss variation, gradient predictiveness and β-smoothness of Santurkar et al. 2018;
- ``catalogue``: the settings of a comparison (torch-free);
- ``interpolation``: loss and accuracy on the line between two weight vectors (Goodfellow et al. 2015);
- ``curvature``: the top Hessian eigenvalue by power iteration, along a run beside 2/lr (Cohen et al. 2021).
"""
