"""Metrics: pure, vectorised functions on arrays, one module per family.

* :mod:`.region_overlap` -- VOT rasterised overlap (trax ``region.c``, non-legacy);
* :mod:`.ope` -- OTB / LaSOT success, precision, normalised precision;
* :mod:`.got10k` -- GOT-10k AO, SR0.5, SR0.75, success curve, speed;
* :mod:`.vot` -- VOT supervised accuracy, failures, robustness, EAO;
* :mod:`.profiles` -- the toolkits' rule differences as named profiles;
* :mod:`.evaluate` -- suite + dataset + result folder -> ``TrackerEvaluation``.
"""
