// The bound of the kms-local clock, shared by the clock that moves (control/) and the state file that stores its
// offset (store/).

export const DAY_MS = 86_400_000;
/** How far ahead of real time the clock may go: 10 years covers every AWS period (365-day ValidTo, 30-day
 *  deletion windows, 24 h tokens) many times over, while keeping every timestamp and HTTP Date header valid. */
export const MAX_CLOCK_OFFSET_MS = 3650 * DAY_MS;
