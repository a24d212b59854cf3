"""A file becomes pages of words, then fields with confidences and source boxes."""
