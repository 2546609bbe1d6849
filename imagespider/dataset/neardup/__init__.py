"""Near-duplicates: a perceptual hash per image (phash) and the nearest one in the store's index
(twinsearch)."""
