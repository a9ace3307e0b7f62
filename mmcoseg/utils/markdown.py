"""Markdown tables printed by the analysis tools."""
from typing import Dict, Sequence


def markdown_table(rows: Sequence[Dict[str, object]],
                   columns: Sequence[str]) -> str:
    """A Markdown table of the rows.

    Args:
        rows (Sequence[dict]): Rows keyed by column name; a missing cell is
            written as '-'.
        columns (Sequence[str]): Column order.

    Returns:
        str: The table, one line per row after the header.
    """
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '---|' * len(columns)]
    for row in rows:
        lines.append('| ' + ' | '.join(str(row.get(c, '-'))
                                       for c in columns) + ' |')
    return '\n'.join(lines)
