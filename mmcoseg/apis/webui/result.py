"""What one web-demo request returns."""
from dataclasses import dataclass, field
from typing import ClassVar, List, Optional, Tuple

import numpy as np


@dataclass
class WebDemoResult:
    """The outcome of :meth:`WebDemoPredictor.predict`.

    Args:
        message (str): What happened, for the page: a summary (images,
            groups, time, skipped files) or the error.
        ok (bool): Whether images were co-segmented.
        overlays (list[tuple[np.ndarray, str]]): Per image, the RGB overlay
            of its mask and a caption (name, foreground fraction).
        grids (list[tuple[np.ndarray, str]]): Per group, the RGB grid
            (inputs on top, overlays below) and a caption.
        rows (list[list]): Per image, the values of :attr:`HEADERS`.
        zip_path (str, optional): A zip of ``masks/`` (0/255 PNGs at the
            input sizes), ``overlays/`` and ``groups/``.
    """

    HEADERS: ClassVar[Tuple[str, ...]] = ('image', 'group', 'width',
                                          'height', 'foreground (%)',
                                          'time (s)')

    message: str
    ok: bool = False
    overlays: List[Tuple[np.ndarray, str]] = field(default_factory=list)
    grids: List[Tuple[np.ndarray, str]] = field(default_factory=list)
    rows: List[list] = field(default_factory=list)
    zip_path: Optional[str] = None

    def status_markdown(self) -> str:
        """The message as the page shows it (errors marked as such)."""
        return self.message if self.ok else f'**Error:** {self.message}'
