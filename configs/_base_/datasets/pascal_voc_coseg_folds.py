# The two halves of the 20 PASCAL-VOC co-seg classes for the unseen-class
# protocol: fold A trains on the first half and tests on the second, fold B
# the other way round.
fold_a_classes = ('Aero', 'Bicycle', 'Bird', 'Boat', 'Bottle', 'Bus', 'Car',
                  'Cat', 'Chair', 'Cow')
fold_b_classes = ('Dog', 'Horse', 'Mbike', 'Monitor', 'Person', 'Plant',
                  'Sheep', 'Sofa', 'Table', 'Train')
