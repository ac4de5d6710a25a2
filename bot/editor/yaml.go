package editor

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// appendItem adds text to the list at path (mapping keys from the top of the document, e.g.
// ["ja", "questions"]) in a YAML file, and returns the file as an editor would have written it:
// a line "- text" after the list's last item, at its indentation, the rest of the file byte for
// byte as it was. A list written inline ([a, b]) or missing is written anew with the document
// (comments kept). data "" is a new file.
func appendItem(data []byte, path []string, text string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	node := doc.Content[0]
	for i, key := range path {
		if node.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s is not a mapping", strings.Join(path[:i], "."))
		}
		next := valueOf(node, key)
		if next == nil {
			kind := yaml.MappingNode
			if i == len(path)-1 {
				kind = yaml.SequenceNode
			}
			next = &yaml.Node{Kind: kind}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, next)
		}
		node = next
	}
	if node.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s is not a list", strings.Join(path, "."))
	}
	for _, it := range node.Content {
		if it.Value == text {
			return nil, ErrExists
		}
	}
	item := &yaml.Node{Kind: yaml.ScalarNode, Value: text}
	if node.Style&yaml.FlowStyle == 0 && len(node.Content) > 0 && node.Content[len(node.Content)-1].Column >= 3 {
		return insertAfterLast(data, node.Content[len(node.Content)-1], item)
	}
	node.Style = 0
	node.Content = append(node.Content, item)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ErrExists is the error of an edit that adds what is there already.
var ErrExists = errors.New("already there")

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// insertAfterLast inserts item as a new "- item" line after last, the last item of a block
// list, and after the lines that continue it (more indented than its dash).
func insertAfterLast(data []byte, last, item *yaml.Node) ([]byte, error) {
	lines := strings.SplitAfter(string(data), "\n")
	dash := last.Column - 3 // the item's text is two columns after its dash ("- ")
	at := last.Line         // the index of the line after the item's first line
	for at < len(lines) {
		l := strings.TrimRight(lines[at], "\r\n")
		if strings.TrimSpace(l) == "" || len(l)-len(strings.TrimLeft(l, " ")) <= dash {
			break
		}
		at++
	}
	value, err := yaml.Marshal(item)
	if err != nil {
		return nil, err
	}
	line := strings.Repeat(" ", dash) + "- " + strings.TrimSuffix(string(value), "\n") + "\n"
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		lines[at-1] += "\n"
	}
	out := append(append(append([]string{}, lines[:at]...), line), lines[at:]...)
	return []byte(strings.Join(out, "")), nil
}
