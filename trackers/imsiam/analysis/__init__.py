"""IMSiam's analyses: the singular values of the sampling projection (:mod:`.svd`, the
paper's Fig. 7) and the ablation table of component records (:mod:`.ablation`), as a
``trackbench analyze svd`` command and as sections of ``trackbench report``
(:mod:`.report_sections`, registered in the ``trackbench.report_sections`` group)."""
