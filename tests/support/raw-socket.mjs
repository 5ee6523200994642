// A raw automerge-repo WebSocket to the edge, for hostile-client tests: frames as CBOR, no
// client library in between.
import { encode, decode } from "cbor-x";
import { WebSocket } from "ws";
import { until } from "./fixture.mjs";

/** A raw socket joined as `peer`: its frames decoded, the edge's peer id and the close code. */
export async function rawSocket(url, peer) {
  const socket = new WebSocket(url);
  socket.binaryType = "nodebuffer";
  const frames = [];
  socket.on("message", (data) => frames.push(decode(data)));
  const closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  await new Promise((resolve, reject) => { socket.on("open", resolve); socket.on("error", reject); });
  socket.send(encode({ type: "join", senderId: peer, supportedProtocolVersions: ["1"] }));
  await until("the edge's peer message", () => frames.some((f) => f.type === "peer"));
  return { socket, frames, closed, edgePeer: frames.find((f) => f.type === "peer").senderId };
}
