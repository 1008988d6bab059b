/** Routing (F11, F12): who gets a conversation. Used by the conversations domain inside its transactions. */
export { chooseAgent, lockRouting, methodFor, type RouteDecision, type RouteRequest } from './router.js';
