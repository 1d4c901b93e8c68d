package io.xdpgate.netlink;

/**
 * What {@link RtnlCodec#parse} saw in one datagram besides the objects it delivered.
 *
 * @param messages        nlmsghdr count
 * @param done            an NLMSG_DONE ended a dump
 * @param error           a positive errno from NLMSG_ERROR (or from a failed dump's NLMSG_DONE), 0 if none
 * @param acked           an NLMSG_ERROR with error 0 (an ACK) was seen
 * @param extAck          NLMSGERR_ATTR_MSG text of the error/ACK, null if none
 * @param dumpInterrupted NLM_F_DUMP_INTR was set: the dumped table changed during the dump
 * @param seq             nlmsg_seq of the first message
 * @param portId          nlmsg_pid of the first message
 * @param mixedHeaders    some message had another nlmsg_seq or nlmsg_pid than the first
 * @param ignored         messages of known types deliberately not delivered (other families, cloned routes, ...)
 * @param unknown         messages of types this codec does not know
 */
public record ParseResult(int messages, boolean done, int error, boolean acked, String extAck,
                          boolean dumpInterrupted, int seq, int portId, boolean mixedHeaders, int ignored,
                          int unknown) {}
