/** Time constants in seconds, the unit of every request time. */
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;
