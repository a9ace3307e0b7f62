import numpy as np

from mmcoseg.visualization import group_grid


def test_group_grid_layout():
    rows = [[np.full((20, 40, 3), v, np.uint8) for v in (10, 20, 30)],
            [np.full((50, 25, 3), 200, np.uint8)] * 3]
    grid = group_grid(rows, height=32, gap=4)
    # 2 rows of height 32 and one gap; widths 64 and 16 per tile
    assert grid.shape == (32 * 2 + 4, 64 * 3 + 4 * 2, 3)
    assert grid.dtype == np.uint8
    assert (grid[:32, :64] == 10).all() and (grid[:32, 68:132] == 20).all()
    assert (grid[32:36] == 255).all()  # white gap between rows
    assert (grid[36:, :16] == 200).all()
    assert (grid[36:, 16:20] == 255).all()
