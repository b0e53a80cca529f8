// Every command ends with one of these, as its usage text says.
export const EXIT_OK = 0;
/** Bad lines in the input files (each one listed as FILE:LINE: problem). */
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;
/** A server (the database, Kafka, the API) failed. */
export const EXIT_SERVER = 3;
