"""Dataset readers, one module per benchmark family, all producing
:class:`trackbench.sequence.Dataset` from annotations alone (images optional).

* :func:`~trackbench.data.otb.read_otb` - OTB-2013/2015/TB-50 and any OTB-layout folder (demo)
* :func:`~trackbench.data.vot.read_vot` - VOT2016-2019 short-term
* :func:`~trackbench.data.got10k.read_got10k` - GOT-10k val/test
* :func:`~trackbench.data.lasot.read_lasot` - LaSOT (official or toolkit layout)
* :func:`~trackbench.data.pysot_json.read_pysot_json` - pysot-style dataset JSON
* :func:`~trackbench.data.generic.read_folder` - a generic folder of sequences

Suites (:mod:`trackbench.suites`) pick the reader and find the dataset root.
"""
