"""Slack at the edge: payloads in (``inbound``), Block Kit out (``outbox``), the front door
that ties a delivery to the gate (``front``), Bolt listeners, files and HTTP mode."""
