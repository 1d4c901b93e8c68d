package io.xdpgate.fpc;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * A heap allocator that records the largest byte array it hands out, growth of a buffer included
 * ({@code allocateArray} is called for the first array and for every larger one). The fuzz runs the
 * decoders on it to check that no allocation is sized from a length field of the input. One per thread.
 */
final class FpcAllocationWatch extends AbstractByteBufAllocator {
    private int largest;

    FpcAllocationWatch() {
        super(false); // heap buffers
    }

    /** The largest array since the last call, then starts over. */
    int takeLargest() {
        int l = largest;
        largest = 0;
        return l;
    }

    private void record(int bytes) {
        if (bytes > largest) {
            largest = bytes;
        }
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
            @Override
            protected byte[] allocateArray(int capacity) {
                record(capacity);
                return super.allocateArray(capacity);
            }
        };
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity); // watched like the rest
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
