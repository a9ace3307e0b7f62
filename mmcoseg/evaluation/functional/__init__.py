"""Functional (stateless) parts of the co-segmentation evaluation."""
from .cosod import (
                    COSOD_KEYS,
                    CoSODSummary,
                    check_pysodmetrics,
                    cosod_table,
                    image_cosod_scores,
                    prob_to_uint8,
                    pysodmetrics_version,
                    round_cosod,
                    summarize_cosod,
)
from .pj_counts import (
                        PROTOCOLS,
                        as_2d_tensor,
                        counts_to_pj,
                        foreground_prob,
                        image_pj_counts,
                        released_counts,
)
from .pj_outputs import (
                        PER_IMAGE_CSV,
                        PER_IMAGE_FIELDS,
                        save_mask_png,
                        write_per_image_csv,
)
from .pj_summary import (
                        PJSummary,
                        per_image_scores,
                        pj_table,
                        select_scored_records,
                        summarize_pj,
                        to_percent,
)

__all__ = [
    'PROTOCOLS', 'as_2d_tensor', 'counts_to_pj', 'foreground_prob',
    'image_pj_counts', 'released_counts', 'PER_IMAGE_CSV', 'PER_IMAGE_FIELDS',
    'save_mask_png', 'write_per_image_csv', 'PJSummary', 'per_image_scores',
    'pj_table', 'select_scored_records', 'summarize_pj', 'to_percent',
    'COSOD_KEYS', 'CoSODSummary', 'check_pysodmetrics', 'cosod_table',
    'image_cosod_scores', 'prob_to_uint8', 'pysodmetrics_version',
    'round_cosod', 'summarize_cosod'
]
