from .group_layout import (
    LAYOUT_KEY,
    UNGROUPED_MODES,
    GroupLayout,
    layout_from_metas,
)

__all__ = ['LAYOUT_KEY', 'UNGROUPED_MODES', 'GroupLayout', 'layout_from_metas']
