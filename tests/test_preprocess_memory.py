"""The page clean-up's low-memory forms give exactly what the whole-image OpenCV/NumPy calls give."""
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import preprocess

ADAPTIVE = (255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY)


def _image(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w), dtype=np.uint8)
    if seed % 2:  # smooth, page-like grey levels as well as pure noise
        img = cv2.GaussianBlur(img, (9, 9), 0)
    return img


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), h=st.integers(1, 400), w=st.integers(1, 300),
       strip=st.sampled_from([8, 25, 64]), block=st.sampled_from([3, 11, 41]))
def test_adaptive_threshold_in_strips_equals_the_whole_image(seed, h, w, strip, block):
    img = _image(seed, h, w)
    old = preprocess.STRIP_ROWS
    preprocess.STRIP_ROWS = strip  # many strips, and strips thinner than the block
    try:
        got = preprocess.adaptive_threshold(img, block, 15)
    finally:
        preprocess.STRIP_ROWS = old
    assert np.array_equal(got, cv2.adaptiveThreshold(img, *ADAPTIVE, block, 15))


def test_adaptive_threshold_of_a_working_size_page_in_default_strips():
    img = _image(3, 2 * preprocess.STRIP_ROWS + 77, 900)
    assert np.array_equal(preprocess.adaptive_threshold(img, 41, 15),
                          cv2.adaptiveThreshold(img, *ADAPTIVE, 41, 15))


@pytest.mark.parametrize("seed", range(6))
def test_whiten_equals_where_for_any_mask(seed):
    rng = np.random.default_rng(seed)
    binary = rng.integers(0, 256, (120, 90), dtype=np.uint8)
    mask = (rng.integers(0, 256, binary.shape) * (rng.random(binary.shape) < 0.3)).astype(np.uint8)
    want = np.where(mask > 0, 255, binary).astype(np.uint8)
    before = binary.copy()
    assert np.array_equal(preprocess._whiten(binary, mask.copy()), want)
    assert np.array_equal(binary, before)  # the input page is not written to
