package io.xdpgate.netlink;

/** A kernel object announced or dumped over rtnetlink. */
public sealed interface RtnlObject permits Link, Address, Route, Neighbour, NexthopObject, NetnsId, Rule {}
