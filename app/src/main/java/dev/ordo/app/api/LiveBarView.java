package dev.ordo.app.api;

/**
 * One bar a symbol trader received, as the live feed ({@code GET /events}, Server-Sent Events of type {@code bar}) pushes it: most
 * bars decide nothing and are not journaled, so the journal's events do not carry them.
 *
 * @param account    the trader's account
 * @param instrument the bar's instrument ({@code SYMBOL.VENUE})
 * @param bar        the bar as a row of {@code GET /accounts/{account}/symbols/{symbol}/bars} shows it; its {@code strategy} is null
 *                   (the strategy's state after a bar that decided something comes with the journal's {@code BarApplied})
 */
public record LiveBarView(String account, String instrument, BarsView.BarView bar) {}
