package main

// Test oracle for the library's analysis conditions: evaluates each condition of stdin (one JSON
// object a line: condition, result, vector) with expr v1.15.5, the version Argo Rollouts v1.9.1
// compiles conditions with, in an environment like its utils/evaluate (result, isNaN, isInf,
// asInt, asFloat, isNil and default), and prints true, false, error or compile-error: <message>.
import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/antonmedv/expr"
)

type input struct {
	Condition string          `json:"condition"`
	Result    json.RawMessage `json:"result"`
	Vector    bool            `json:"vector"`
}

func isNil(in any) bool {
	if in == nil {
		return true
	}
	switch reflect.TypeOf(in).Kind() {
	case reflect.Ptr, reflect.Map, reflect.Array, reflect.Chan, reflect.Slice:
		return reflect.ValueOf(in).IsNil()
	}
	return false
}

func asInt(in any) int64 {
	switch i := in.(type) {
	case float64:
		return int64(i)
	case int:
		return int64(i)
	case string:
		v, err := strconv.ParseInt(i, 10, 64)
		if err == nil {
			return v
		}
		panic(err)
	}
	panic(fmt.Sprintf("asInt() not supported on %v %v", reflect.TypeOf(in), in))
}

func asFloat(in any) float64 {
	switch i := in.(type) {
	case float64:
		return i
	case int:
		return float64(i)
	case string:
		v, err := strconv.ParseFloat(i, 64)
		if err == nil {
			return v
		}
		panic(err)
	}
	panic(fmt.Sprintf("asFloat() not supported on %v %v", reflect.TypeOf(in), in))
}

func eval(result any, condition string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = "error"
		}
	}()
	env := map[string]any{
		"result": result, "asInt": asInt, "asFloat": asFloat, "isNaN": math.IsNaN,
		"isInf":   func(f float64) bool { return math.IsInf(f, 0) },
		"isNil":   func(_ any) bool { return isNil(result) },
		"default": func(_ any, d any) any { if isNil(result) { return d }; return result },
	}
	program, err := expr.Compile(condition, expr.Env(env))
	if err != nil {
		return "compile-error: " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	output, err := expr.Run(program, env)
	if err != nil {
		return "error"
	}
	if b, ok := output.(bool); ok {
		return strconv.FormatBool(b)
	}
	return "error"
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var in input
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			panic(err)
		}
		var result any
		if in.Vector {
			var v []float64
			var raw []any
			_ = json.Unmarshal(in.Result, &raw)
			v = make([]float64, 0, len(raw))
			for _, x := range raw {
				switch t := x.(type) {
				case float64:
					v = append(v, t)
				case string:
					f, _ := strconv.ParseFloat(t, 64)
					v = append(v, f)
				}
			}
			result = v
		} else {
			_ = json.Unmarshal(in.Result, &result)
		}
		fmt.Println(eval(result, in.Condition))
	}
}
