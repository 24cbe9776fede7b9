package dev.ordo.app.http;

import dev.ordo.engine.model.AccountId;

/**
 * What an API token may do.
 *
 * <ul>
 *   <li>{@code admin}: everything;</li>
 *   <li>{@code read}: every {@code GET} (and {@code HEAD}, {@code OPTIONS}), nothing that changes the engine;</li>
 *   <li>{@code account:<id>}: sees and controls only that account; other accounts answer 404 as if
 *       they did not exist, so a token does not learn which accounts there are.</li>
 * </ul>
 */
public sealed interface ApiScope {

  /** Whether a request with {@code method} ({@code GET}, {@code POST}, ...) is allowed at all. */
  boolean allowsMethod(String method);

  /** Whether {@code account} is visible (and, with {@link #allowsMethod}, controllable). */
  boolean seesAccount(AccountId account);

  /**
   * Whether the journal of an entity of {@code account} is visible (the audit and the live feed): an account's own; one of no
   * single account ({@code null}: the service manager's, an expert's) only to an {@code admin} or {@code read} token.
   */
  default boolean seesJournalOf(AccountId account) {
    return account == null ? seesEveryAccount() : seesAccount(account);
  }

  /** Whether every account is visible (admin, read): what spans accounts ({@code GET /cluster}). */
  default boolean seesEveryAccount() {
    return !(this instanceof Account);
  }

  /** Everything. */
  record Admin() implements ApiScope {
    @Override
    public boolean allowsMethod(String method) {
      return true;
    }

    @Override
    public boolean seesAccount(AccountId account) {
      return true;
    }

    @Override
    public String toString() {
      return "admin";
    }
  }

  /** Reading only. */
  record Read() implements ApiScope {
    @Override
    public boolean allowsMethod(String method) {
      return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    @Override
    public boolean seesAccount(AccountId account) {
      return true;
    }

    @Override
    public String toString() {
      return "read";
    }
  }

  /** One account, read and control. */
  record Account(AccountId account) implements ApiScope {
    @Override
    public boolean allowsMethod(String method) {
      return true;
    }

    @Override
    public boolean seesAccount(AccountId other) {
      return account.equals(other);
    }

    @Override
    public String toString() {
      return "account:" + account.value();
    }
  }

  /**
   * Parses {@code admin}, {@code read} or {@code account:<id>}.
   *
   * @throws IllegalArgumentException naming the accepted forms otherwise
   */
  static ApiScope parse(String text) {
    if (text.equals("admin")) return new Admin();
    if (text.equals("read")) return new Read();
    if (text.startsWith("account:") && text.length() > "account:".length()) return new Account(new AccountId(text.substring("account:".length())));
    throw new IllegalArgumentException("scope '" + text + "' is not admin, read or account:<id>");
  }
}
