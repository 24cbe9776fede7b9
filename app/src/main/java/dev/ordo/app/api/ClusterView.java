package dev.ordo.app.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /cluster}: the cluster's nodes as the answering node sees them, and how many entities of each sharded type run on
 * each (Pekko Cluster Sharding's statistics; entities start on their first message, so a node that joined late holds few until
 * shards move to it).
 *
 * @param self    the answering node's address ({@code pekko://ordo@127.0.0.1:25520})
 * @param leader  the cluster leader's address, null while there is none
 * @param members every member, by address order
 * @param entities entity type ({@code SymbolTrader}, {@code Position}, {@code Expert}, {@code AccountRisk}) to node address to
 *                the number of its entities there; a type whose statistics did not come in time is left out
 */
public record ClusterView(String self, String leader, List<Member> members, Map<String, Map<String, Integer>> entities) {

  /**
   * One member.
   *
   * @param status      Pekko's member status ({@code Up}, {@code Leaving}, {@code Down}, ...)
   * @param reachable   false while this node's failure detector does not hear it
   * @param oldest      the oldest member: it runs the cluster singletons (each account's service) unless one moved
   */
  public record Member(String address, String status, boolean reachable, boolean oldest) {}
}
