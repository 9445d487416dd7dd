"""A truncated JPEG in the middle of a real sequence (OTB Couple): an error naming the file, no
libjpeg warning on stderr; `datasets check --images` decodes every frame."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trackbench.cli import main
from trackbench.errors import TrackbenchError
from trackbench.imageio import read_rgb


@pytest.fixture()
def couple(shared_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "custom"
    shutil.copytree(shared_data / "sequences" / "otb" / "Couple", root / "Couple")
    frame = root / "Couple" / "img" / "0070.jpg"
    data = frame.read_bytes()
    frame.write_bytes(data[: len(data) // 2])
    return root


def test_truncated_jpeg_is_an_error_naming_the_file(couple: Path, capfd) -> None:
    frame = couple / "Couple" / "img" / "0070.jpg"
    with pytest.raises(TrackbenchError) as error:
        read_rgb(frame)
    assert str(error.value) == f"{frame}: truncated JPEG (no end-of-image marker): the frame does not decode completely"
    assert read_rgb(couple / "Couple" / "img" / "0069.jpg").shape == (240, 320, 3)
    assert "Premature end of JPEG" not in capfd.readouterr().err  # libjpeg never saw the file (cv2.imread prints it)


def test_datasets_check_images_decodes_every_frame(couple: Path, capfd) -> None:
    assert main(["datasets", "check", "--suite", "custom", "--root", str(couple), "--images", "--workers", "2"]) == 2
    out, err = capfd.readouterr()
    assert "frames decoded: 139 of 140" in out
    frame = couple / "Couple" / "img" / "0070.jpg"
    assert f"trackbench: error: {frame}: truncated JPEG" in err and "Premature end of JPEG" not in err


def test_a_run_fails_the_unit_with_the_file_name(couple: Path, tmp_path: Path, capfd) -> None:
    assert main(["run", "identity", "--suite", "custom", "--root", str(couple), "--out", str(tmp_path / "out"),
                 "--no-progress"]) == 1
    out, err = capfd.readouterr()
    assert f"{couple / 'Couple' / 'img' / '0070.jpg'}: truncated JPEG" in out + err
    assert "Premature end of JPEG" not in err
