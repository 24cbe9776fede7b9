package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.OrderSources;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The experts of {@code ordo.experts.<id>}: each one's account and settings, the same as a
 * {@code PUT /experts/{id}} gives (see {@code docs/experts.md}). Keys left out take the defaults
 * ({@code enabled = true}, {@code max-open-transactions = 5}, {@code allocation-per-trade = 100000},
 * {@code min-confidence = 0}, {@code instruments = []}: all the account trades).
 */
public final class ExpertsConfig {

  private ExpertsConfig() {}

  /** One configured expert. */
  public record ConfiguredExpert(String id, Expert.Settings settings) {}

  /**
   * The experts of {@code config}, sorted by id.
   *
   * @param accounts   the engine's accounts
   * @param instrument the instrument of an account named by a text ({@code TCS-EQ.NSE} or {@code TCS-EQ}), if it trades one
   * @throws IllegalArgumentException naming the key: a bad id, an unknown account or instrument, a value out of range
   */
  public static List<ConfiguredExpert> read(Config config, Set<AccountId> accounts,
      BiFunction<AccountId, String, Optional<InstrumentId>> instrument) {
    if (!config.hasPath("ordo.experts")) return List.of();
    Config experts = config.getConfig("ordo.experts");
    List<ConfiguredExpert> list = new ArrayList<>();
    for (String id : new TreeSet<>(experts.root().keySet())) {
      String key = "ordo.experts." + id;
      if (experts.root().get(id).valueType() == ConfigValueType.NULL) continue;
      try {
        OrderSources.requireExpertId(id);
        Config c = experts.getConfig(com.typesafe.config.ConfigUtil.quoteString(id));
        AccountId account = AccountId.of(c.getString("account"));
        if (!accounts.contains(account)) throw new IllegalArgumentException("account: no account '" + account + "'; the accounts: " + accounts);
        Set<InstrumentId> instruments = new LinkedHashSet<>();
        if (c.hasPath("instruments"))
          for (String text : c.getStringList("instruments"))
            instruments.add(instrument.apply(account, text)
                .orElseThrow(() -> new IllegalArgumentException("instruments: account " + account + " does not trade '" + text + "'")));
        list.add(new ConfiguredExpert(id, new Expert.Settings(account, !c.hasPath("enabled") || c.getBoolean("enabled"),
            c.hasPath("max-open-transactions") ? c.getInt("max-open-transactions") : 5,
            c.hasPath("allocation-per-trade") ? new BigDecimal(c.getString("allocation-per-trade")) : new BigDecimal("100000"),
            c.hasPath("min-confidence") ? new BigDecimal(c.getString("min-confidence")) : BigDecimal.ZERO, instruments)));
      } catch (ConfigException | IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(list);
  }

  /** Whether {@code state} already has {@code settings} (a start configures only what changed). */
  static boolean unchanged(Expert.State state, Expert.Settings settings) {
    return state.exists() && state.settings().equals(settings);
  }
}
