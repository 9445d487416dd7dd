"""Running trackers at scale: work units, executors, resume, manifests, batched stepping.

* :mod:`~trackbench.execution.units` - work units (tracker config x sequence x repetition), longest first;
* :mod:`~trackbench.execution.layout` - which units a suite needs, where their results go;
* :mod:`~trackbench.execution.worker` - what runs inside a worker (tracker built once, tasks);
* :mod:`~trackbench.execution.serial`, :mod:`~trackbench.execution.process`,
  :mod:`~trackbench.execution.ray_executor` - the executors behind ``--executor``;
* :mod:`~trackbench.execution.batched` - B sequences in lockstep for a batch-aware tracker;
* :mod:`~trackbench.execution.manifest` - ``manifest.json``;
* :mod:`~trackbench.execution.commit` - writing finished/failed units (results, manifest, ``errors.log``);
* :mod:`~trackbench.execution.runner` - ``run_suite``, what ``trackbench run`` calls.
"""
