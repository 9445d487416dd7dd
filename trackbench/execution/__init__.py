"""Running trackers at scale: work units, executors, resume, manifests, batched stepping.

* :mod:`~trackbench.execution.units` - work units (tracker config x sequence x repetition), longest first;
* :mod:`~trackbench.execution.layout` - which units a suite needs, where their results go;
* :mod:`~trackbench.execution.worker` - what runs inside a worker (tracker built once, tasks);
* :mod:`~trackbench.execution.watch` - phase/frame of a worker, ``--timeout`` limits, output checks;
* :mod:`~trackbench.execution.isolated` - long-lived child worker processes (``serial``, the
  default, and ``process``): a crash or hang fails only its unit;
* :mod:`~trackbench.execution.inline`, :mod:`~trackbench.execution.ray_executor` - the other
  executors behind ``--executor`` (in process; Ray actors, each with an isolated worker);
* :mod:`~trackbench.execution.lock` - one run at a time per results folder;
* :mod:`~trackbench.execution.batched` - B sequences in lockstep for a batch-aware tracker;
* :mod:`~trackbench.execution.manifest` - ``manifest.json``;
* :mod:`~trackbench.execution.commit` - writing finished/failed units (results, manifest, ``errors.log``);
* :mod:`~trackbench.execution.runner` - ``run_suite``, what ``trackbench run`` calls.
"""
