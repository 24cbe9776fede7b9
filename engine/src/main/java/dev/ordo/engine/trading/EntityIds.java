package dev.ordo.engine.trading;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;

/**
 * Entity ids of per-account, per-instrument entities: {@code account:SYMBOL.VENUE}, e.g.
 * {@code paper:DALBHARAT-EQ.NSE}. ({@code |} is reserved by Pekko Persistence as the separator
 * of the persistence id {@code SymbolTrader|paper:DALBHARAT-EQ.NSE}.)
 */
final class EntityIds {

  private EntityIds() {}

  /** @throws IllegalArgumentException when the account id contains {@code :} or {@code |} */
  static String of(AccountId account, InstrumentId instrument) {
    if (account.value().contains(":") || account.value().contains("|"))
      throw new IllegalArgumentException("account id must not contain ':' or '|': " + account);
    return account + ":" + instrument;
  }

  /** @throws IllegalArgumentException when {@code entityId} is not {@code account:SYMBOL.VENUE} */
  static AccountId account(String entityId) {
    return AccountId.of(entityId.substring(0, separator(entityId)));
  }

  /** @throws IllegalArgumentException when {@code entityId} is not {@code account:SYMBOL.VENUE} */
  static InstrumentId instrument(String entityId) {
    return InstrumentId.parse(entityId.substring(separator(entityId) + 1));
  }

  private static int separator(String entityId) {
    int colon = entityId.indexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("entity id must be account:SYMBOL.VENUE, got '" + entityId + "'");
    return colon;
  }
}
