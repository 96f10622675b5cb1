package dev.kyu.cli.demo;

/**
 * One order of the demo shop: the args of its reserve, charge, ship and confirm steps. {@code card} is the
 * card's last four digits; the test card {@link #DECLINED_CARD} is always declined, as test cards are.
 */
public record Order(String orderId, String customer, int items, long totalCents, String card) {
    public static final String DECLINED_CARD = "0002";

    public boolean cardDeclines() {
        return DECLINED_CARD.equals(card);
    }
}
