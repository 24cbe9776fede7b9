package dev.ordo.engine;

/**
 * Marker for every message, event and state that crosses a serialization boundary
 * (the journal, a snapshot, or a remote hop under Cluster Sharding). It is bound to
 * Pekko's Jackson JSON serializer in {@code reference.conf}, so journaled events are
 * readable JSON. Classes implementing it must keep their fully qualified name stable:
 * Jackson stores it as the event manifest.
 */
public interface OrdoSerializable {}
