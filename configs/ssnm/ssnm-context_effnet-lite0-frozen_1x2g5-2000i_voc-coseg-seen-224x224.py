# The seen-category recipe (ssnm_*: group consensus + GroupExchange) with the
# two groups of every batch paired by shared context (ContextPairSampler), so
# the exchanged image comes from a group whose scenes look alike and only its
# object tells it apart. The contexts are a prior over PASCAL's classes; a
# class may sit in several.
_base_ = './ssnm_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py'
train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ContextPairSampler',
        contexts=[
            ['Cow', 'Horse', 'Sheep', 'Dog', 'Bird', 'Person'],  # fields
            ['Aero', 'Bird', 'Boat'],  # sky and water
            ['Bicycle', 'Bus', 'Car', 'Mbike', 'Person', 'Train'],  # streets
            ['Bottle', 'Cat', 'Chair', 'Dog', 'Monitor', 'Person', 'Plant',
             'Sofa', 'Table'],  # indoors
        ]))
