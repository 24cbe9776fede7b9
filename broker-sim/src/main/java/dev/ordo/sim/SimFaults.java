package dev.ordo.sim;

import java.time.Duration;

/**
 * Faults the simulator injects; each is off when null or zero.
 *
 * @param tokenTtl      a session token stops working after this (then every call answers 401, code 900901)
 * @param dropWsEvery   closes every market-data socket from the server side at this period
 * @param stallWsEvery  at this period, market-data sockets stay open but send nothing for {@code stallFor}
 * @param stallFor      length of a stall
 * @param errorRate     share of trading calls answered 429, 500, 502 or 503 without being processed (0..1)
 * @param latency       added to every REST answer
 * @param ambiguousRate share of order placements that are carried out but never answered (0..1)
 * @param seed          seed of the random draws
 */
public record SimFaults(Duration tokenTtl, Duration dropWsEvery, Duration stallWsEvery, Duration stallFor, double errorRate,
    Duration latency, double ambiguousRate, long seed) {

  public SimFaults {
    if (errorRate < 0 || errorRate > 1) throw new IllegalArgumentException("--error-rate must be within 0..1, got " + errorRate);
    if (ambiguousRate < 0 || ambiguousRate > 1) throw new IllegalArgumentException("--ambiguous-rate must be within 0..1, got " + ambiguousRate);
    if (stallFor == null) stallFor = Duration.ofSeconds(60);
  }

  public static SimFaults none() {
    return new SimFaults(null, null, null, Duration.ofSeconds(60), 0, null, 0, 1);
  }
}
