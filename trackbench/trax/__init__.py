"""TraX, the VOT ecosystem's protocol for trackers that run as their own process.

Both directions:

* ``trackbench run trax:COMMAND`` runs an external tracker (the TraX "server") through
  :class:`~trackbench.adapters.TraxTracker`, which talks to it with the official libtrax
  client (PyPI ``vot-trax``) where it loads, else with our own client written from
  libtrax's rules (:mod:`.client`, :mod:`.grammar`, :mod:`.regions`, :mod:`.images`);
* ``trackbench trax-serve TRACKER`` runs a trackbench plugin as a TraX server built on
  the official library (:mod:`.serve`), so that the VOT toolkit can evaluate it.
"""

from trackbench.trax.client import NativeClient, PythonClient, native_available, open_client
from trackbench.trax.grammar import Message, ServerInfo, format_message, parse_message
from trackbench.trax.images import Frame
from trackbench.trax.process import command_name
from trackbench.trax.regions import Region, format_region, parse_region

__all__ = [
    "Frame", "Message", "NativeClient", "PythonClient", "Region", "ServerInfo", "command_name", "format_message",
    "format_region", "native_available", "open_client", "parse_message", "parse_region",
]
