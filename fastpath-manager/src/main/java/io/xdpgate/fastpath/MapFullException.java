package io.xdpgate.fastpath;

/** A fast path table is at capacity: the object stays with Linux (slow path), nothing is lost. */
final class MapFullException extends Exception {
    MapFullException(String map, int capacity) {
        super("map " + map + " is full (" + capacity + " entries): the traffic it would carry stays with Linux");
    }
}
