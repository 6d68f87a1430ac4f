"""A user's own models as exported PyTorch programs (``.pt2``) described by a JSON manifest: the manifest's
keys (:mod:`~engines.exported.catalogue`, :mod:`~engines.exported.manifest`), the programs opened safely and
probed (:mod:`~engines.exported.programs`), and the adapters that make them the latent panel's model
(:mod:`~engines.exported.latent`), the diffusion samplers' denoiser (:mod:`~engines.exported.diffusion`) and a
landscape network (:mod:`~engines.exported.landscape`)."""
