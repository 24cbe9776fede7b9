package dev.ordo.app.api;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.service.ServiceManager;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * The answer of {@code POST /accounts/{account}/service/start} and {@code .../stop}: the account's
 * service state after the action, or (with status 409) the state in which the action does not apply.
 *
 * @param error     null when the action was done; {@code conflict} when refused
 * @param detail    why it was refused, else null
 * @param state     STARTING, RUNNING, STOPPING, STOPPED or FAILED
 * @param reason    why it FAILED or STOPPED, else null
 * @param since     when it entered its state
 * @param changedBy who started or stopped it last
 */
public record ServiceView(String error, String detail, AccountId account, ServiceManager.ServiceState state, String reason,
    OffsetDateTime since, String changedBy) {

  /** The answer to a control action, its times in {@code zone}. */
  public static ServiceView of(ServiceManager.ControlAnswer answer, ZoneId zone) {
    if (answer instanceof ServiceManager.Changed changed) return of(null, null, changed.account(), changed.state(), zone);
    if (answer instanceof ServiceManager.Conflict conflict)
      return of("conflict", conflict.reason(), conflict.account(), conflict.state(), zone);
    throw new IllegalArgumentException("not a state: " + answer);
  }

  private static ServiceView of(String error, String detail, AccountId account, ServiceManager.AccountState state, ZoneId zone) {
    return new ServiceView(error, detail, account, state.state(), state.reason(), ApiTimes.of(state.since(), zone), state.changedBy());
  }
}
