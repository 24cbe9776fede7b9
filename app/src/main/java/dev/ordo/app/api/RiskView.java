package dev.ordo.app.api;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.risk.RiskLimits;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * An account's trading state and pre-trade limits: {@code risk} of each account in {@code GET /status},
 * and the answer of {@code POST /accounts/{account}/halt} and {@code .../resume} (with status 409 and
 * {@code error} {@code conflict} when the account already is in the asked state).
 *
 * @param error            null, or {@code conflict} when the action was refused
 * @param detail           why it was refused, else null
 * @param state            ACTIVE or HALTED
 * @param reason           why it is HALTED ({@code RISK_DAILY_LOSS: ...} when the daily loss limit halted it), else null
 * @param since            when it entered its state; null when it has been ACTIVE since its first run
 * @param changedBy        who halted or resumed it last (an API token's subject, or {@code risk}); null before
 * @param limits           its limits; a limit not set is null
 * @param tradingDay       today's date at the venue
 * @param dailyRealizedPnl realized P&amp;L of today's fills (negative: a loss)
 * @param openPositions    instruments with a non-zero position
 * @param ordersRefused    orders refused by the checks since the account's first run (each journaled)
 */
public record RiskView(String error, String detail, AccountId account, AccountRisk.TradingState state, String reason, OffsetDateTime since,
    String changedBy, Limits limits, LocalDate tradingDay, Money dailyRealizedPnl, int openPositions, long ordersRefused) {

  /**
   * The limits of an account, amounts in its currency.
   *
   * @param maxPositionQuantity instrument units
   */
  public record Limits(Money maxOrderNotional, String maxPositionQuantity, Money maxPositionNotional, Integer maxOpenPositions,
      Money maxDailyRealizedLoss) {

    static Limits of(RiskLimits limits, String currency) {
      return new Limits(Money.of(limits.maxOrderNotional(), currency),
          limits.maxPositionQuantity() == null ? null : limits.maxPositionQuantity().toPlainString(),
          Money.of(limits.maxPositionNotional(), currency), limits.maxOpenPositions(), Money.of(limits.maxDailyRealizedLoss(), currency));
    }
  }

  /** {@code status} as shown, amounts in {@code currency}, times in {@code zone}; null for null. */
  public static RiskView of(AccountRisk.Status status, String currency, ZoneId zone) {
    return status == null ? null : of(null, null, status, currency, zone);
  }

  /** The answer to a halt or a resume. */
  public static RiskView of(AccountRisk.ControlAnswer answer, String currency, ZoneId zone) {
    if (answer instanceof AccountRisk.Conflict conflict) return of("conflict", conflict.reason(), conflict.status(), currency, zone);
    return of(null, null, answer.status(), currency, zone);
  }

  private static RiskView of(String error, String detail, AccountRisk.Status status, String currency, ZoneId zone) {
    return new RiskView(error, detail, status.account(), status.state(), status.reason(), ApiTimes.of(status.since(), zone), status.changedBy(),
        Limits.of(status.limits(), currency), status.tradingDay(), Money.of(status.dailyRealizedPnl(), currency), status.openPositions(),
        status.ordersRefused());
  }
}
