"""IMSiam training: data readers, pair sampling, augmentation, targets, losses and the loop.

Entry point: ``trackbench train imsiam --config CONFIG [--resume] [--set key=value]``
(:mod:`trackbench.trackers.imsiam.commands.train`), or :func:`trackbench.trackers.imsiam.training.loop.train`.
"""
