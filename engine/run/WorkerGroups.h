#pragma once

#include "RunSettings.h"

#include <QString>
#include <QStringList>

// Worker groups as a user names them, shared by every front end so that the same choices
// make the same groups: the CLI's --ssh, --slurm and --launcher, and the window's settings.
namespace Brigade::WorkerGroups {

constexpr int MaxPerSshHost = 1024; // HOST*N
constexpr int MaxPerGroup = 100000; // Slurm steps or launcher workers

// "HOST" or "HOST*N" with N from 1 to MaxPerSshHost, as --ssh takes it. On anything else
// returns false and leaves host and count alone.
bool parseSshSpec(const QString &spec, QString *host, int *count);
// The spec parseSshSpec reads back: "node2*4", or "node2" for one worker.
QString sshSpec(const QString &host, int count);

// Extra launcher arguments as typed ("-p 2222 -i key"), split like a command line:
// double quotes group words. Nothing is ever passed through a shell.
QStringList splitArguments(const QString &text);
// The text splitArguments reads back as arguments.
QString joinArguments(const QStringList &arguments);

WorkerGroup ssh(const QString &host, int count, const QString &sshOptions,
                const QString &remoteProgram);
WorkerGroup slurm(int count, const QString &srunOptions, const QString &slurmConf,
                  const QString &remoteProgram);
// command starts one worker; the worker's own arguments are appended to it.
WorkerGroup launcher(const QString &command, int count);

} // namespace Brigade::WorkerGroups
