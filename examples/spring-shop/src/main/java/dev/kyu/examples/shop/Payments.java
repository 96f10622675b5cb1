package dev.kyu.examples.shop;

import org.springframework.stereotype.Component;

/** A stand-in card network: cards ending in 0002 are declined, as in payment providers' test cards. */
@Component
public class Payments {
    public boolean declines(String card) {
        return card.replace("-", "").replace(" ", "").endsWith("0002");
    }
}
