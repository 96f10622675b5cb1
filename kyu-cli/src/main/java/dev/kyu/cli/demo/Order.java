package dev.kyu.cli.demo;

/** One order of the demo shop: the args every step of its flow receives. */
public record Order(String orderId, String customer, int items, long totalCents) {}
