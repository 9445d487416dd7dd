"""Reports: the field's plots (:mod:`.plots`), tables and their CSV/LaTeX exports
(:mod:`.tables`), ablation tables (:mod:`.ablation`), the sampling projection's
singular-value analysis (:mod:`.svd`), per-attribute curves (:mod:`.attributes`) and the
HTML page that puts them together (:mod:`.html`, template ``templates/report.html.j2``)."""
