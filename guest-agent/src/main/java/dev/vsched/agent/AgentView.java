package dev.vsched.agent;

import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Round;

/**
 * The agent as status shows it after a round; immutable but for the backend's live counters.
 *
 * @param round           the last round handled, or null before the first
 * @param backend         the backend in effect
 * @param planChanges     how often the usable set changed
 * @param lastProblem     the last round's problems, or null
 * @param schedExtStopped why the scheduler stopped under the agent (it fell back), or null
 */
record AgentView(Round round, Backend backend, long planChanges, String lastProblem, String schedExtStopped) {
}
