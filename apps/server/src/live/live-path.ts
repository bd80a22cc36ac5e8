/** The HTTP path of socket.io (the console's live updates); upgrades elsewhere are not its. */
export const LIVE_SOCKET_PATH = '/socket.io';
