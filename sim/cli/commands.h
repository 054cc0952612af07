/* sim/cli/commands.h: one entry point per subcommand, each in cmd_<name>.c.
 * argv[0] is the subcommand's name; the return value is an enum rx_exit. */
#ifndef RXSIM_CLI_COMMANDS_H
#define RXSIM_CLI_COMMANDS_H

int cmd_inspect(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_validate(int argc, char **argv);

#endif
