// cnirunner drives a CNI conflist through the real libcni (the library
// containerd and CRI-O embed), so tests exercise the exact runtime semantics:
// prevResult threading, reverse-order DEL, the result cache and capability
// filtering of runtimeConfig. One JSON request on stdin, one JSON reply on
// stdout; plugin stderr passes through to our stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

type request struct {
	Command        string                 `json:"command"`
	Conflist       json.RawMessage        `json:"conflist"`
	ContainerID    string                 `json:"containerID"`
	Netns          string                 `json:"netns"`
	Ifname         string                 `json:"ifname"`
	Args           [][2]string            `json:"args"`
	CapabilityArgs map[string]interface{} `json:"capabilityArgs"`
	CacheDir       string                 `json:"cacheDir"`
	CniPath        []string               `json:"cniPath"`
}

type reply struct {
	Result interface{}  `json:"result,omitempty"`
	Error  *types.Error `json:"error,omitempty"`
}

func main() {
	res, err := run(os.Stdin)
	out := reply{Result: res}
	code := 0
	if err != nil {
		out.Error = toCNIError(err)
		code = 1
	}
	if encErr := json.NewEncoder(os.Stdout).Encode(out); encErr != nil {
		fmt.Fprintln(os.Stderr, "cnirunner: encode reply:", encErr)
		code = 2
	}
	os.Exit(code)
}

// toCNIError keeps a plugin's own error code (libcni wraps it with %w, so we
// unwrap); anything else is an infrastructure failure reported as 999.
func toCNIError(err error) *types.Error {
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		return cniErr
	}
	return &types.Error{Code: 999, Msg: err.Error()}
}

func run(in io.Reader) (interface{}, error) {
	var req request
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields() // catch typos in the TS wrapper early
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("cnirunner: bad request: %w", err)
	}
	if req.CacheDir == "" {
		// Without this libcni would silently use the host's /var/lib/cni.
		return nil, errors.New("cnirunner: cacheDir is required")
	}
	list, err := libcni.ConfListFromBytes(req.Conflist)
	if err != nil {
		return nil, err
	}
	cni := libcni.NewCNIConfigWithCacheDir(req.CniPath, req.CacheDir, nil)
	rt := &libcni.RuntimeConf{
		ContainerID:    req.ContainerID,
		NetNS:          req.Netns,
		IfName:         req.Ifname,
		Args:           req.Args,
		CapabilityArgs: req.CapabilityArgs,
	}
	ctx := context.Background()

	switch req.Command {
	case "ADD":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			return nil, err
		}
		// libcni returns whatever version the last plugin printed; runtimes
		// consume it in the conflist's version, so convert.
		return result.GetAsVersion(list.CNIVersion)
	case "CHECK":
		return nil, cni.CheckNetworkList(ctx, list, rt)
	case "DEL":
		return nil, cni.DelNetworkList(ctx, list, rt)
	default:
		return nil, fmt.Errorf("cnirunner: unsupported command %q", req.Command)
	}
}
