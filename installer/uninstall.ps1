<#
.SYNOPSIS
Remove SecondLook for the current user (Windows): the logon task, the launcher and PATH entry,
and the companion. The user's config and pairing secret (%APPDATA%\SecondLook) and the logs
stay unless -Purge is given.

.EXAMPLE
powershell -NoProfile -ExecutionPolicy Bypass -File uninstall.ps1 -Purge
#>
[CmdletBinding()]
param(
    [string]$Prefix = (Join-Path $env:LOCALAPPDATA "SecondLook"),
    [switch]$Purge
)

$ErrorActionPreference = "Stop"
$secondlook = Join-Path $Prefix "venv\Scripts\secondlook.exe"
$bin = Join-Path $Prefix "bin"
$logs = Join-Path $Prefix "logs"
$config = Join-Path $env:APPDATA "SecondLook"

if (Test-Path $secondlook) {
    try { & $secondlook service uninstall } catch { [Console]::Error.WriteLine("uninstall.ps1: the logon task could not be removed") }
}
$userPath = [Environment]::GetEnvironmentVariable("Path", "User")
if ($userPath) {
    $kept = $userPath.Split(";") | Where-Object { $_ -ne "" -and $_ -ne $bin }
    [Environment]::SetEnvironmentVariable("Path", (@($kept) -join ";"), "User")
}
foreach ($folder in @((Join-Path $Prefix "venv"), $bin)) {
    if (Test-Path $folder) { Remove-Item -Recurse -Force $folder }
}
Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $Prefix "install-doctor.json")
Write-Output "SecondLook removed from $Prefix"
if ($Purge) {
    foreach ($folder in @($Prefix, $config)) {
        if (Test-Path $folder) { Remove-Item -Recurse -Force $folder }
    }
    Write-Output "removed the user's config and pairing secret ($config) and logs ($logs)"
} else {
    Write-Output "kept the user's config and pairing secret ($config) and logs ($logs); -Purge removes them"
}
exit 0
