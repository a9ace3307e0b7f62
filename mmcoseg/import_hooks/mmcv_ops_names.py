"""The public names of ``mmcv.ops`` in mmcv 2.x, for the strict fallback.

The fallback ``mmcv.ops`` (mmcv-lite, no compiled ops) answers only for
these names: ``from mmcv.ops import X`` of any other name raises
ImportError, as with a real mmcv. The list is ``mmcv.ops.__all__`` of mmcv
2.1.0 (the newest mmcv that MMSegmentation 1.2.2 accepts; mmcv 2.0 has no
op that 2.1 lacks), plus the two MLU-only classes it appends on MLU
machines. ``tests/test_import_hooks.py`` checks it against the
``mmcv/ops/__init__.py`` that mmcv-lite installs. Plain data: importing it
imports nothing.
"""

#: ``mmcv.ops.__all__`` of mmcv 2.1.0 (with the MLU-only classes).
MMCV_OPS_NAMES = frozenset({
    'active_rotated_filter', 'assign_score_withk', 'ball_query',
    'batched_nms', 'bbox_overlaps', 'bezier_align', 'BezierAlign',
    'bias_act', 'border_align', 'BorderAlign', 'box_iou_quadri',
    'box_iou_rotated', 'boxes_iou3d', 'boxes_iou_bev', 'boxes_overlap_bev',
    'carafe', 'CARAFE', 'carafe_naive', 'CARAFENaive', 'CARAFEPack',
    'chamfer_distance', 'contour_expand', 'conv2d', 'Conv2d',
    'conv_transpose2d', 'convex_giou', 'convex_iou', 'ConvTranspose2d',
    'CornerPool', 'Correlation', 'CrissCrossAttention', 'deform_conv2d',
    'deform_roi_pool', 'DeformConv2d', 'DeformConv2dPack',
    'DeformConv2dPack_MLU', 'DeformRoIPool', 'DeformRoIPoolPack',
    'diff_iou_rotated_2d', 'diff_iou_rotated_3d', 'dynamic_scatter',
    'DynamicScatter', 'filter2d', 'filtered_lrelu',
    'furthest_point_sample', 'furthest_point_sample_with_dist',
    'fused_bias_leakyrelu', 'FusedBiasLeakyReLU', 'gather_points',
    'get_compiler_version', 'get_compiling_cuda_version', 'GroupAll',
    'grouping_operation', 'knn', 'Linear', 'masked_conv2d', 'MaskedConv2d',
    'MaxPool2d', 'min_area_polygons', 'modulated_deform_conv2d',
    'ModulatedDeformConv2d', 'ModulatedDeformConv2dPack',
    'ModulatedDeformConv2dPack_MLU', 'ModulatedDeformRoIPoolPack',
    'MultiScaleDeformableAttention', 'nms', 'nms3d', 'nms3d_normal',
    'nms_bev', 'nms_match', 'nms_normal_bev', 'nms_quadri', 'nms_rotated',
    'pixel_group', 'point_sample', 'points_in_boxes_all',
    'points_in_boxes_cpu', 'points_in_boxes_part', 'points_in_polygons',
    'PointsSampler', 'prroi_pool', 'PrRoIPool', 'PSAMask', 'QueryAndGroup',
    'rel_roi_point_to_rel_img_point', 'riroi_align_rotated',
    'RiRoIAlignRotated', 'roi_align', 'roi_align_rotated', 'roi_pool',
    'RoIAlign', 'RoIAlignRotated', 'RoIAwarePool3d', 'RoIPointPool3d',
    'RoIPool', 'rotated_feature_align', 'SAConv2d', 'scatter_nd',
    'sigmoid_focal_loss', 'SigmoidFocalLoss', 'SimpleRoIAlign', 'soft_nms',
    'softmax_focal_loss', 'SoftmaxFocalLoss', 'SparseConv2d',
    'SparseConv3d', 'SparseConvTensor', 'SparseConvTranspose2d',
    'SparseConvTranspose3d', 'SparseInverseConv2d', 'SparseInverseConv3d',
    'SparseMaxPool2d', 'SparseMaxPool3d', 'SparseModule',
    'SparseSequential', 'SubMConv2d', 'SubMConv3d', 'SyncBatchNorm',
    'three_interpolate', 'three_nn', 'tin_shift', 'TINShift', 'upfirdn2d',
    'upsample2d', 'Voxelization', 'voxelization'
})
