// Live updates: filled by the realtime work.
