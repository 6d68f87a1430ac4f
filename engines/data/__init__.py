"""Data sets shared by the panels: built-in 2D point sets and digits, and the user's own files."""
from engines.data.digits import ImageSplit, digits_split
from engines.data.files import read_image_folder, read_images, read_labels, read_points
from engines.data.toy2d import TOY_SETS, make_toy

__all__ = ["ImageSplit", "digits_split", "read_image_folder", "read_images", "read_labels", "read_points",
           "TOY_SETS", "make_toy"]
