/**
 * The LangChain peers of `npm run bench -- peers`, loaded by bench/side-by-side/run-peers.ts once
 * this package's own dependencies are installed (`npm install --prefix bench/peers`).
 * @module
 */
import type { Peer } from '../../side-by-side/peer.ts';
import { classicPeer } from './classic-peer.ts';
import { langgraphPeer } from './langgraph-peer.ts';

/** LangGraph's design and the classic executor, in the table's order. */
export const langchainPeers: readonly Peer[] = [langgraphPeer, classicPeer];
